"""HTTP posting shared by the webhook and robot channels: timeouts and result classes.

Classification (``classify_status``): 2xx ok; 408 and 429 retryable; other 4xx not
retryable (the request itself is wrong; retrying cannot help); 5xx retryable; 1xx/3xx
not retryable (redirects are not followed: a subscriber must register its final URL).
Timeouts and connection errors are retryable.
"""
import requests

DEFAULT_TIMEOUT = (3.05, 10.0)   # (connect, read) seconds
USER_AGENT = "Chuangxian-Notifications/1.0"


def timeout_from(config, default=DEFAULT_TIMEOUT):
    """``timeout`` in config: seconds (both), or {"connect": s, "read": s}."""
    value = config.get("timeout")
    if value is None:
        return default
    if isinstance(value, dict):
        return (float(value.get("connect", default[0])), float(value.get("read", default[1])))
    return (float(value), float(value))


def classify_status(status):
    """(ok, retryable) for an HTTP status."""
    if 200 <= status < 300:
        return True, False
    if status in (408, 429) or status >= 500:
        return False, True
    return False, False


def retry_after_seconds(response):
    value = response.headers.get("Retry-After")
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


class Poster:
    """A pooled ``requests`` session with the channel's timeout; never raises on send."""

    def __init__(self, config):
        self.timeout = timeout_from(config)
        self.verify = config.get("ca_file") or config.get("verify_tls", True)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = config.get("user_agent", USER_AGENT)

    def post(self, url, body, headers):
        """(response or None, error detail or None, retryable-if-error)."""
        try:
            response = self.session.post(url, data=body, headers=headers, timeout=self.timeout,
                                         allow_redirects=False, verify=self.verify)
            return response, None, False
        except requests.Timeout as error:
            return None, f"timeout after {self.timeout}: {type(error).__name__}", True
        except requests.ConnectionError as error:
            return None, f"connection failed: {_short(error)}", True
        except requests.RequestException as error:
            return None, f"request refused: {type(error).__name__}: {_short(error)}", False

    def close(self):
        self.session.close()


def _short(error, limit=300):
    text = str(error)
    return text if len(text) <= limit else text[:limit] + "…"
