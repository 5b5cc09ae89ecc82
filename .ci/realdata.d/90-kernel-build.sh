# What the kernel end-to-end suite (e2e/, issue 13) needs to build Linux
# 6.1's Rust code: Debian's rustc 1.63 (installed: /usr/bin/rustc, with
# its std for the host tools), bindgen 0.60.1, clang/llvm/lld 14, and the
# kernel's own build dependencies. The kernel source is the
# linux-source-6.1 .deb that 70-linux-6.1.sh left in debs/. Packages
# already installed are left as they are (--no-upgrade); cargo (for
# "rvendor build") is installed only when the machine has none (rustup's
# does as well).
apt_update
pkgs="rustc bindgen clang llvm lld flex bison bc libelf-dev libssl-dev make"
command -v cargo >/dev/null || pkgs="$pkgs cargo"
apt-get install -y -qq --no-install-recommends --no-upgrade $pkgs >/dev/null
# Fail here, not in the suite, if a tool is missing or the wrong version.
/usr/bin/rustc --version | grep -q '^rustc 1\.63\.'
command -v ld.lld flex bison bc >/dev/null
ls "$RVENDOR_REALDATA"/debs/linux-source-6.1_*.deb >/dev/null
