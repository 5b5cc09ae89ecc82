# The real upstream source tarball of Rust 1.63 as Debian repacked it
# (rustc_1.63.0+dfsg1.orig.tar.xz, top folder rustc-1.63.0-src/), fetched
# with `apt-get source --download-only` into $RVENDOR_REALDATA/rustc-orig/.
# apt checks it against the signed Sources index. Needs a deb-src entry for
# bookworm main: the machine's own, or one made from its configured "deb"
# entries (.ci/apt-sources.sh); only the index of the file holding it is
# refreshed.
ensure_deb_src bookworm main
apt-get update -qq -o Dir::Etc::sourcelist="$deb_src_file" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0
mkdir -p "$RVENDOR_REALDATA/rustc-orig"
(cd "$RVENDOR_REALDATA/rustc-orig" && apt-get source -qq --download-only rustc=1.63.0+dfsg1-2)
orig="$RVENDOR_REALDATA/rustc-orig/rustc_1.63.0+dfsg1.orig.tar.xz"
# The top folder must be rustc-1.63.0-src/ (the layout rvendor's rustc-src kind assumes).
# (tar is cut off by head: its SIGPIPE status is not a failure.)
top=$( (tar -tJf "$orig" || true) | head -n 1)
case "$top" in
rustc-1.63.0-src | rustc-1.63.0-src/*) ;;
*) echo "realdata: $orig: unexpected top folder $top" >&2; exit 1 ;;
esac
