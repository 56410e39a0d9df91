"""Security headers on every response, pages and API alike.

The Content-Security-Policy allows scripts, styles, fonts and images from this server
only (no inline scripts, no inline style attributes, no plugins), no framing by any
site (clickjacking), and forms posting only here; the pages keep their scripts in
gateway/web/static. Browsers are told not to guess content types (an uploaded file
served back stays what it was declared) and to send no referrer to other sites.
"""
CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP level 2
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def register(app):
    @app.after_request
    def _security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
