#!/usr/bin/env bash
# Install the one-folder build (dist/pos-app) on a Linux store PC, as root:
#
#   sudo packaging/linux/install.sh [--dist DIR] [--destdir DIR]
#
# /opt/pos-app             the application (replaced on update; data is elsewhere)
# /usr/local/bin/pos-app   the command line
# /usr/share/applications/pos-app.desktop and the icon: the menu entry
# /etc/udev/rules.d/60-pos-app.rules: printers and scanners for the cashier's account
#
# Data (database, backups, logs) lives in each cashier account's home (see
# docs/operations/installing.md) and is never touched by install or uninstall.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dist="$here/../../dist/pos-app"
destdir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) dist="$2"; shift 2 ;;
    --destdir) destdir="$2"; shift 2 ;;  # a staging root (packagers, tests)
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
if [ ! -x "$dist/pos-app" ] || [ ! -x "$dist/pos-app-gui" ]; then
  echo "no build at $dist: run 'make package' first" >&2
  exit 2
fi
install -d "$destdir/opt" "$destdir/usr/local/bin" "$destdir/usr/share/applications" \
  "$destdir/usr/share/icons/hicolor/256x256/apps" "$destdir/etc/udev/rules.d"
rm -rf "$destdir/opt/pos-app.new"
cp -a "$dist" "$destdir/opt/pos-app.new"
rm -rf "$destdir/opt/pos-app"
mv "$destdir/opt/pos-app.new" "$destdir/opt/pos-app"
ln -sf /opt/pos-app/pos-app "$destdir/usr/local/bin/pos-app"
install -m 0644 "$here/pos-app.desktop" "$destdir/usr/share/applications/pos-app.desktop"
install -m 0644 "$dist/_internal/resources/icons/pos-app.png" "$destdir/usr/share/icons/hicolor/256x256/apps/pos-app.png"
install -m 0644 "$here/60-pos-app.rules" "$destdir/etc/udev/rules.d/60-pos-app.rules"
if [ -z "$destdir" ]; then
  command -v udevadm >/dev/null && { udevadm control --reload || true; udevadm trigger || true; }
  command -v update-desktop-database >/dev/null && update-desktop-database -q || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q /usr/share/icons/hicolor || true
fi
echo "installed to ${destdir}/opt/pos-app"
