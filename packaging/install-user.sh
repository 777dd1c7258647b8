#!/bin/sh
# Install mpgui for the current user, from the unpacked tarball: the app in
# ~/.local/opt/mpgui, a command in ~/.local/bin/mpgui, a desktop (menu) entry and the
# icons. No root needed. "./install.sh --uninstall" removes all of it again.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
OPT=$HOME/.local/opt/mpgui
BIN=$HOME/.local/bin
APPS=$DATA/applications
ICONS=$DATA/icons/hicolor

refresh_caches() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$APPS" 2>/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t "$ICONS" 2>/dev/null || true
    fi
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$OPT"
    rm -f "$BIN/mpgui" "$APPS/mpgui.desktop"
    find "$ICONS" -name 'mpgui.png' -delete 2>/dev/null || true
    rm -f "$ICONS/scalable/apps/mpgui.svg"
    refresh_caches
    echo "mpgui removed."
    exit 0
fi

mkdir -p "$(dirname "$OPT")" "$BIN" "$APPS" "$ICONS"
rm -rf "$OPT"
cp -a "$HERE/mpgui" "$OPT"
ln -sf "$OPT/mpgui" "$BIN/mpgui"
# The menu entry starts the installed program by its full path: ~/.local/bin may not
# be on the PATH a desktop session uses.
sed "s|^Exec=mpgui|Exec=$OPT/mpgui|" "$HERE/share/applications/mpgui.desktop" \
    > "$APPS/mpgui.desktop"
cp -a "$HERE/share/icons/hicolor/." "$ICONS/"
refresh_caches

# Qt's window system plugin needs a few system libraries the app does not carry.
missing=$(ldd "$OPT/_internal/PySide6/Qt/plugins/platforms/libqxcb.so" 2>/dev/null \
          | awk '/not found/ {print $1}')
echo "mpgui installed: start it from the applications menu, or run: $BIN/mpgui"
if [ -n "$missing" ]; then
    echo "Missing system libraries, needed for its window: $missing"
    echo "On Debian or Ubuntu: sudo apt install libxcb-cursor0 libxcb-icccm4" \
         "libxcb-keysyms1 libxkbcommon-x11-0 libegl1"
fi
case ":$PATH:" in
    *":$BIN:"*) ;;
    *) echo "Note: $BIN is not on your PATH; the menu entry works anyway." ;;
esac
