# Debian's rust-src (Rust 1.63): the whole library/ tree under usr/src/rustc-1.63.0.
deb_x rust-src "$RVENDOR_REALDATA/rust-src"
