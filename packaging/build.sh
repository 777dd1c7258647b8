#!/usr/bin/env bash
# Build the desktop app, on Linux:
#   dist/mpgui/mpgui                       the PyInstaller one-folder bundle
#   dist/mpgui-VERSION-linux-x86_64.tar.gz  the bundle + a per-user installer
#   dist/mpgui_VERSION_amd64.deb            for dpkg / apt
# Uses .venv (made if missing), installs the 'build' extra (PyInstaller) into it, and
# the 'dask' one: the app runs scenarios on a Dask cluster too.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
PY=.venv/bin/python
"$PY" -m pip install -q -e '.[build,dask]'
VERSION=$("$PY" -c "import mpgui; print(mpgui.__version__)")
echo "Building mpgui $VERSION"

rm -rf build/icons build/pyinstaller build/deb build/tarball dist/mpgui \
       "dist/mpgui-$VERSION-linux-x86_64.tar.gz" "dist/mpgui_${VERSION}_amd64.deb"
"$PY" packaging/make_icons.py build/icons
# The catalogues of the other languages, compiled beside their sources (.po -> .mo).
"$PY" -m mpgui.translations compile
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist \
      --workpath build/pyinstaller packaging/mpgui.spec
"$PY" packaging/artifacts.py "$VERSION"
echo "Done in ${SECONDS} s: dist/mpgui/mpgui --selftest checks the bundle."
