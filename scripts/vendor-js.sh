#!/bin/sh
# Vendor the SPARQL editor (YASGUI, from npm) into api/static/vendor/yasgui/.
#
# The portal must work without network access, so the browser never fetches the editor from a
# CDN: this script installs the package into a temporary folder and copies only its minified
# bundle, stylesheet and licence into the tree. Run it again to upgrade, then commit the result.
#
# Usage: scripts/vendor-js.sh [version]    (default: the version pinned below)
set -eu

VERSION="${1:-4.6.2}"
PACKAGE="@zazuko/yasgui"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="$ROOT/api/static/vendor/yasgui"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

command -v npm >/dev/null 2>&1 || {
    echo "npm not found: install Node.js (Debian: apt-get install -y npm) and run again" >&2
    exit 1
}

cd "$WORK"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts "$PACKAGE@$VERSION" >/dev/null

BUILD="$WORK/node_modules/$PACKAGE/build"
for file in yasgui.min.js yasgui.min.css; do
    [ -f "$BUILD/$file" ] || { echo "$PACKAGE@$VERSION has no build/$file" >&2; exit 1; }
done

mkdir -p "$TARGET"
cp "$BUILD/yasgui.min.js" "$BUILD/yasgui.min.css" "$TARGET/"
# The package ships no licence file; record its name and licence from package.json instead.
node -p "const p = require('$WORK/node_modules/$PACKAGE/package.json'); \
  p.name + '@' + p.version + ' (' + p.license + ' licence, ' + p.homepage + ')'" \
  > "$TARGET/VERSION"
echo "vendored $PACKAGE@$VERSION into $TARGET:"
ls -l "$TARGET"
