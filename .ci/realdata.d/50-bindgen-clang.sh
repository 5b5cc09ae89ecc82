# Debian's bindgen (0.60.1) and clang/libclang (14), installed: the real
# tools "rvendor toolchain" is tested against. bindgen 0.60.1 is below
# Linux 6.12's minimum (0.65.1), which the tests expect to be reported.
apt_update
apt-get install -y -qq --no-install-recommends bindgen clang libclang-dev >/dev/null
