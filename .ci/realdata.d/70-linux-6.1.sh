# Debian's linux-source-6.1: the hand-vendored, kernel-modified rust/alloc of
# Linux 6.1 (14 .rs files and a README; its base was Rust 1.62) and the
# kernel's Rust build files, under $RVENDOR_REALDATA/linux-6.1. Nothing else
# of the kernel is unpacked.
tmp=$RVENDOR_REALDATA/tmp-linux-6.1
rm -rf "$tmp"
deb_x linux-source-6.1 "$tmp"
mkdir -p "$RVENDOR_REALDATA/linux-6.1"
tar -xJf "$tmp"/usr/src/linux-source-6.1.tar.xz -C "$RVENDOR_REALDATA/linux-6.1" --strip-components=1 \
	'linux-source-6.1/rust' 'linux-source-6.1/scripts/min-tool-version.sh'
rm -rf "$tmp"
# Fail here, not in a test, if the layout moved.
ls "$RVENDOR_REALDATA"/linux-6.1/rust/alloc/README.md "$RVENDOR_REALDATA"/linux-6.1/rust/alloc/vec/mod.rs >/dev/null
