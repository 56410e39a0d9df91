"""Real campus sign-in servers for the tests, each started on a free port with its own
temporary data and stopped afterwards:

* `CasServer`: django-cas-server (from PyPI, in its own virtual environment
  .tools/cas-server, installed by ./deploy/platform test) running the small Django
  project in cas_site/ under Django's server;
* `LdapServer`: OpenLDAP's slapd (Debian's package, installed by ./deploy/platform
  test) with a temporary configuration and an MDB database loaded by slapadd.
"""
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CAS_PYTHON = os.path.join(ROOT, ".tools", "cas-server", "bin", "python")
CAS_SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cas_site")
SLAPD = "/usr/sbin/slapd"
LOOPBACK = "127.0.0.1"


def free_port():
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def _wait_port(port, process, what, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start (exit code {process.poll()})")
            time.sleep(0.2)


def _stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


class CasServer:
    """django-cas-server with `users` ({username: {"password", attribute: value}});
    service URLs starting with `service_prefix` may use it and get `release`d
    attributes."""

    def __init__(self, users, service_prefix, release=("employeeNumber", "cn")):
        if not os.access(CAS_PYTHON, os.X_OK):
            raise RuntimeError(f"{CAS_PYTHON} is missing: ./deploy/platform test installs the CAS server")
        self.folder = tempfile.mkdtemp(prefix="cx-cas-")
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}/cas"
        self.env = dict(os.environ, CAS_SITE_DB=os.path.join(self.folder, "cas.sqlite3"),
                        CAS_SITE_USERS=json.dumps(users), DJANGO_SETTINGS_MODULE="cas_settings",
                        PYTHONPATH=CAS_SITE, SERVICE_PREFIX=service_prefix, RELEASE=",".join(release))
        for step in (["-m", "django", "migrate", "--noinput"], [os.path.join(CAS_SITE, "seed_cas.py")]):
            subprocess.run([CAS_PYTHON, *step], env=self.env, cwd=CAS_SITE, check=True, capture_output=True,
                           timeout=120)
        self.log = open(os.path.join(self.folder, "server.log"), "wb")
        self.process = subprocess.Popen(
            [CAS_PYTHON, "-m", "django", "runserver", f"{LOOPBACK}:{self.port}", "--noreload"],
            env=self.env, cwd=CAS_SITE, stdout=self.log, stderr=subprocess.STDOUT)
        _wait_port(self.port, self.process, "the CAS server")

    def ticket_for(self, login_url, username, password):
        """Logs in on the CAS server's own form as a browser would, starting from the
        gateway's redirect `login_url`; returns (service URL, ticket)."""
        session = requests.Session()
        page = session.get(login_url, timeout=10)
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        fields.update(username=username, password=password)
        answer = session.post(page.url, data=fields, allow_redirects=False, headers={"Referer": page.url}, timeout=10)
        location = answer.headers.get("Location", "")
        match = re.search(r"[?&]ticket=([^&]+)", location)
        if answer.status_code != 302 or not match:
            raise AssertionError(f"the CAS server did not issue a ticket ({answer.status_code})")
        return location.split("?")[0], match.group(1), location

    def stop(self):
        _stop(self.process)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


SUFFIX = "dc=campus,dc=test"
PEOPLE = f"ou=people,{SUFFIX}"


class LdapServer:
    """slapd with `users` ({uid: {"password", "employeeNumber", "cn"}}) under PEOPLE."""

    def __init__(self, users):
        if not os.access(SLAPD, os.X_OK):
            raise RuntimeError(f"{SLAPD} is missing: ./deploy/platform test installs slapd")
        self.folder = tempfile.mkdtemp(prefix="cx-ldap-")
        self.port = free_port()
        self.url = f"ldap://{LOOPBACK}:{self.port}"
        os.makedirs(os.path.join(self.folder, "db"))
        conf = os.path.join(self.folder, "slapd.conf")
        with open(conf, "w") as handle:
            handle.write("\n".join([
                "include /etc/ldap/schema/core.schema",
                "include /etc/ldap/schema/cosine.schema",
                "include /etc/ldap/schema/inetorgperson.schema",
                "modulepath /usr/lib/ldap",
                "moduleload back_mdb",
                f"pidfile {self.folder}/slapd.pid",
                "database mdb",
                f'suffix "{SUFFIX}"',
                f'rootdn "cn=admin,{SUFFIX}"',
                "rootpw test-only-root",
                f"directory {self.folder}/db",
                "maxsize 10485760",
                "access to attrs=userPassword by anonymous auth by self write by * none",
                "access to * by users read by * none",
                "",
            ]))
        entries = [f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: campus\no: Campus",
                   f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people"]
        def attr(name, value):  # LDIF carries non-ASCII values in base64
            value = str(value)
            return f"{name}: {value}" if value.isascii() else f"{name}:: {base64.b64encode(value.encode()).decode()}"

        for uid, record in users.items():
            hashed = subprocess.run(["/usr/sbin/slappasswd", "-s", record["password"]], check=True,
                                    capture_output=True, text=True).stdout.strip()
            entries.append("\n".join([
                f"dn: uid={uid},{PEOPLE}", "objectClass: inetOrgPerson", f"uid: {uid}",
                attr("cn", record.get("cn", uid)), attr("sn", record.get("cn", uid)[:1]),
                f"employeeNumber: {record['employeeNumber']}", f"userPassword: {hashed}"]))
        ldif = os.path.join(self.folder, "seed.ldif")
        with open(ldif, "w", encoding="utf-8") as handle:
            handle.write("\n\n".join(entries) + "\n")
        subprocess.run(["/usr/sbin/slapadd", "-f", conf, "-l", ldif], check=True, capture_output=True, timeout=60)
        self.log = open(os.path.join(self.folder, "slapd.log"), "wb")
        # -d 0: stay in the foreground (the test owns the process), log nothing extra
        self.process = subprocess.Popen([SLAPD, "-f", conf, "-h", f"{self.url}/", "-d", "0"],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        _wait_port(self.port, self.process, "slapd")

    def stop(self):
        _stop(self.process)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)
