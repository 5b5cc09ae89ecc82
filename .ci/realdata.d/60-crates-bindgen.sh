# Debian's real crate sources for bindgen 0.60.1 and its whole build
# closure (about 165 librust-*-dev packages, 130 crate folders, 70 MB), as
# "apt-get build-dep rust-bindgen" would install them under
# /usr/share/cargo/registry, but unpacked into
# $RVENDOR_REALDATA/crates-bindgen/ instead of installed, so that Debian's
# rustc and cargo (build-deps too) never shadow the toolchain on $PATH.
# internal/registry packs these folders into a test crates registry.
# Needs a deb-src entry for bookworm main: the machine's own, or one made
# from its configured "deb" entries (.ci/apt-sources.sh), never a fixed host.
ensure_deb_src bookworm main
if [ -n "$deb_src_changed" ]; then
	apt_updated=
fi
apt_update
# Every librust-*-dev package of the closure, plus bindgen's own, whatever
# is installed here: the simulation runs against an empty dpkg status, so
# a machine that already has some librust-*-dev packages (a Debian Rust
# developer's) still gets them all, not only what it lacks.
pkgs=$(apt-get -s -o Dir::State::status=/dev/null build-dep rust-bindgen 2>/dev/null | awk '/^Inst librust-/ {print $2}')
pkgs="$pkgs librust-bindgen-dev"
crates_dir="$RVENDOR_REALDATA/crates-bindgen"
rm -rf "$crates_dir.tmp" && mkdir -p "$crates_dir.tmp/debs"
(cd "$crates_dir.tmp/debs" && apt-get download -qq $pkgs 2>/dev/null)
for deb in "$crates_dir.tmp"/debs/*.deb; do
	dpkg-deb -x "$deb" "$crates_dir.tmp"
done
rm -rf "$crates_dir.tmp/debs" "$crates_dir" && mv "$crates_dir.tmp" "$crates_dir"
test -f "$crates_dir/usr/share/cargo/registry/bindgen-0.60.1/Cargo.toml"
# bitflags is one of the closure's crates bindgen does not depend on
# directly: its absence means the list was cut short.
ls -d "$crates_dir"/usr/share/cargo/registry/bitflags-* >/dev/null
