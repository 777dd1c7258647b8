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

MIME=$DATA/mime
MAN=$DATA/man/man1

refresh_caches() {
    if command -v update-mime-database >/dev/null 2>&1 && [ -d "$MIME/packages" ]; then
        update-mime-database "$MIME" 2>/dev/null || true
    fi
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
    rm -f "$ICONS/scalable/apps/mpgui.svg" "$MIME/packages/mpgui.xml" "$MAN/mpgui.1.gz"
    refresh_caches
    echo "mpgui removed."
    exit 0
fi

# The program's path as one argument of a desktop entry's Exec= (Desktop Entry spec,
# "The Exec key"): in double quotes, with ", `, $ and \ escaped by a backslash; then
# every backslash doubled again (Exec is a string value, which has escapes of its own)
# and % written %% (field codes). A newline cannot be written there at all.
desktop_quote() {
    printf '"%s"' "$(printf '%s' "$1" | sed -e 's/[\\"`$]/\\&/g' -e 's/\\/\\\\/g' \
                                             -e 's/%/%%/g')"
}

case $OPT in
    *"
"*) echo "mpgui: error: cannot install into a folder whose name has a line break: $OPT" >&2
        exit 2 ;;
esac

mkdir -p "$(dirname "$OPT")" "$BIN" "$APPS" "$ICONS"
rm -rf "$OPT"
cp -a "$HERE/mpgui" "$OPT"
ln -sf "$OPT/mpgui" "$BIN/mpgui"
# The menu entry starts the installed program by its full path (~/.local/bin may not be
# on the PATH a desktop session uses), quoted: a home folder may have a space in it.
# (awk reads the path from the environment: -v and sed would interpret backslashes.)
EXEC=$(desktop_quote "$OPT/mpgui") awk '
    /^Exec=mpgui( |$)/ { print "Exec=" ENVIRON["EXEC"] substr($0, 11); next }
    { print }' "$HERE/share/applications/mpgui.desktop" > "$APPS/mpgui.desktop"
cp -a "$HERE/share/icons/hicolor/." "$ICONS/"
if [ -d "$HERE/share/mime/packages" ]; then
    mkdir -p "$MIME/packages" "$MAN"
    cp "$HERE/share/mime/packages/mpgui.xml" "$MIME/packages/mpgui.xml"
    cp "$HERE/share/man/man1/mpgui.1.gz" "$MAN/mpgui.1.gz"
fi
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
case $OPT in
    *%*) echo "Note: GLib-based desktops (GNOME, Xfce) do not start a program whose path" \
              "has a % in it, though the menu entry writes it as the standard says;" \
              "start mpgui as $BIN/mpgui there." ;;
esac
case ":$PATH:" in
    *":$BIN:"*) ;;
    *) echo "Note: $BIN is not on your PATH; the menu entry works anyway." ;;
esac
