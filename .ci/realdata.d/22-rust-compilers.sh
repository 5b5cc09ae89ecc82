# Two real compilers, unpacked side by side (never installed, so they do not
# clash): rustc 1.63 (with libstd-rust-1.63, which holds librustc_driver) in
# $RVENDOR_REALDATA/rustc-1.63/, and rustc-web 1.96 (with
# libstd-rust-web-1.96) in $RVENDOR_REALDATA/rustc-web/. Their LLVM runtime
# libraries are versioned packages that coexist, so they are installed.
apt_update
apt-get install -y -qq --no-install-recommends libllvm14 libllvm22 >/dev/null
deb_x rustc "$RVENDOR_REALDATA/rustc-1.63"
deb_x libstd-rust-1.63 "$RVENDOR_REALDATA/rustc-1.63"
deb_x rustc-web "$RVENDOR_REALDATA/rustc-web"
deb_x libstd-rust-web-1.96 "$RVENDOR_REALDATA/rustc-web"
