"""Documents people exchange today, made from the services' data: Excel tables
(申报汇总表, rankings, grants and claims), Word forms ready to print and stamp
(项目申请表 / 申报书 / 考核审批表) and PDF certificates (荣誉证书). Plain functions
from data to bytes; the routes in gateway/api/documents.py fetch the data over RPC,
as the requesting person, so the services decide what they may see."""
