# Debian's rust-web-src (Rust 1.96): the whole library/ tree, unpacked beside
# (not over) the 1.63 rust-src, under $RVENDOR_REALDATA/rust-web-src.
deb_x rust-web-src "$RVENDOR_REALDATA/rust-web-src"
# Fail here, not in a test, if the layout moved.
ls -d "$RVENDOR_REALDATA"/rust-web-src/usr/src/rustc-1.96*/library/core/src/lib.rs >/dev/null
