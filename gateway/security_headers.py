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
# An attachment previewed inside a page (a PDF in a frame, a photo): only the
# platform's own pages may frame it, and it may load nothing itself but what the
# browser's viewer needs from here. Only files recognised from their bytes as PDF,
# PNG or JPEG are served this way (gateway/web/attachment_preview.py); every other
# response keeps `frame-ancestors 'none'`.
PREVIEW_CSP = "; ".join((
    "default-src 'none'",
    "img-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "object-src 'self'",
    "frame-ancestors 'self'",
))
PREVIEW_HEADERS = {
    "Content-Security-Policy": PREVIEW_CSP,
    "X-Frame-Options": "SAMEORIGIN",
}
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
