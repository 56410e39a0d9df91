"""Front-end files from the npm registry, served by this server (no CDN: campus
intranets often have no internet). `package.json` pins them; `deploy/platform`
runs `npm ci` into node_modules/. Only the files listed here are served."""
import os

from flask import abort, send_from_directory

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NODE_MODULES = os.path.join(ROOT, "node_modules")

# URL name -> (package directory, file inside it)
VENDOR = {
    "chart.umd.js": ("chart.js/dist", "chart.umd.js"),
}


def send_vendor(name):
    if name not in VENDOR:
        abort(404)
    folder, filename = VENDOR[name]
    path = os.path.join(NODE_MODULES, folder)
    if not os.path.isfile(os.path.join(path, filename)):
        abort(404, description="Front-end files are missing: run `npm ci` (deploy/platform does).")
    return send_from_directory(path, filename, max_age=86400)
