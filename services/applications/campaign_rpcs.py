"""The applications service's entrypoints for managing a campaign beyond opening and
editing it (a mixin of ApplicationsService, so service.py stays readable): the notice
and requirements applicants read, the templates they download, and closing or
extending the application window. The rules and guarantees are in
campaign_content.py and campaign_window.py; campaign_status.py adds the phase."""
import core.rpc_errors  # noqa: F401  (typed errors cross RPC)
from core.entrypoints import rpc
from core.envelope import utc_now
from core.errors import field_error, invalid
from core.forms import load_or_raise
from services.applications import campaign_content, campaign_status, campaign_window
from services.applications.schemas import CampaignTexts, CampaignWindow


class CampaignManagementRpcs:
    """Needs `self.store`, `self.notice_store`, `self._actor` and `self._config`."""

    @rpc
    def set_campaign_texts(self, actor_id, campaign_id, payload):
        data = load_or_raise(CampaignTexts, payload)
        return campaign_content.set_texts(self.store, self._actor(actor_id), campaign_id, data, utc_now())

    @rpc
    def add_campaign_template(self, actor_id, campaign_id, filename, data_ref, replace_id=None):
        """A template applicants download (campaign_content.py); `data_ref`: {"file_id"}."""
        max_bytes = int(self._config.get("ATTACHMENTS", {}).get("MAX_BYTES", 10 * 1024 * 1024))
        return campaign_content.add_template(self.store, self._actor(actor_id), campaign_id, filename, data_ref,
                                             max_bytes, utc_now(), replace_id)

    @rpc
    def delete_campaign_template(self, actor_id, campaign_id, template_id):
        return campaign_content.delete_template(self.store, self._actor(actor_id), campaign_id, template_id,
                                                utc_now())

    @rpc
    def get_campaign_template(self, actor_id, campaign_id, template_id):
        self._actor(actor_id)
        return campaign_content.get_template(self.store, campaign_id, template_id)

    @rpc
    def set_application_window(self, actor_id, campaign_id, payload):
        """Close the application window now or extend it (campaign_window.py)."""
        data = load_or_raise(CampaignWindow, payload)
        actor, now = self._actor(actor_id), utc_now()
        if data["action"] == "close":
            view = campaign_window.close_applications(self.store, actor, campaign_id, now, data["reason"])
        else:
            if not data["closes_at"]:
                raise invalid([field_error("application_closes_at", "Required.", "必填")])
            view = campaign_window.extend_applications(self.store, self.notice_store, actor, campaign_id,
                                                       data["closes_at"], now, data["reason"])
        return campaign_status.view(self.store, self.notice_store, self.store.get_campaign(campaign_id), now) \
            | {"changed": view.get("changed", True)}

    @rpc
    def close_campaign(self, actor_id, campaign_id):
        """结项 (campaign_window.close_campaign): after the final list; once."""
        now = utc_now()
        view = campaign_window.close_campaign(self.store, self.notice_store, self._actor(actor_id), campaign_id, now)
        return campaign_status.view(self.store, self.notice_store, self.store.get_campaign(campaign_id), now) \
            | {"changed": view["changed"]}
