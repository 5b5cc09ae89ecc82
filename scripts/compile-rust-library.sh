#!/usr/bin/env bash
# compile-rust-library.sh RUSTC LIBDIR
#
# Compiles a vendored Rust standard library the way the Linux kernel does:
# LIBDIR/core/src/lib.rs as crate `core`, an empty `compiler_builtins` (as the
# kernel's rust/compiler_builtins.rs), then LIBDIR/alloc/src/lib.rs as crate
# `alloc` against them, both as rlibs into a temp folder that is removed
# afterwards. LIBDIR is the folder holding core/ and alloc/ (and the
# stdarch/ and portable-simd/ trees core pulls in by #[path]); it is what the
# kernel calls RUST_LIB_SRC. Proves that a vendored tree is complete.
#
# Environment:
#   EDITION      edition to compile with; default: read from LIBDIR/core/Cargo.toml
#   RUSTFLAGS    extra flags for both crates (split on spaces)
#   KEEP=1       keep the output folder and print its path
#   RUSTC_LIBDIR folder holding librustc_driver for an unpacked (not
#                installed) compiler; default: ../lib/$(multiarch) beside RUSTC
#                when librustc_driver is there, so `dpkg-deb -x` trees work
#
# Exit status: 0 when both crates compile, 1 when one does not, 2 on bad use.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 RUSTC LIBDIR" >&2
	exit 2
fi
rustc=$1
libdir=$2
if [ ! -f "$libdir/core/src/lib.rs" ] || [ ! -f "$libdir/alloc/src/lib.rs" ]; then
	echo "compile-rust-library: $libdir has no core/src/lib.rs or alloc/src/lib.rs" >&2
	exit 2
fi

# An unpacked Debian compiler finds librustc_driver only through LD_LIBRARY_PATH.
if [ -z "${RUSTC_LIBDIR:-}" ]; then
	for d in "$(dirname "$rustc")"/../lib/x86_64-linux-gnu "$(dirname "$rustc")"/../lib/*-linux-gnu "$(dirname "$rustc")"/../lib; do
		if compgen -G "$d/librustc_driver-*.so" >/dev/null; then
			RUSTC_LIBDIR=$(cd "$d" && pwd)
			break
		fi
	done
fi
if [ -n "${RUSTC_LIBDIR:-}" ]; then
	export LD_LIBRARY_PATH="$RUSTC_LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

edition=${EDITION:-}
if [ -z "$edition" ]; then
	edition=$(sed -n 's/^edition *= *"\([0-9]*\)".*/\1/p' "$libdir/core/Cargo.toml" 2>/dev/null | head -n 1)
	edition=${edition:-2021}
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/compile-rust-library.XXXXXX")
if [ "${KEEP:-}" != 1 ]; then
	trap 'rm -rf "$out"' EXIT
fi

# The kernel's flags that matter for a freestanding core/alloc: no unwinding,
# no bitcode, one codegen unit; RUSTC_BOOTSTRAP=1 unlocks the unstable
# features the standard library uses.
# shellcheck disable=SC2206
common=(--edition="$edition" --crate-type=rlib -Cpanic=abort -Cembed-bitcode=n
	-Ccodegen-units=1 -Copt-level=2 --cap-lints=allow ${RUSTFLAGS:-})

echo "compile-rust-library: $("$rustc" --version) on $libdir (edition $edition)"
compile() {
	local name=$1
	shift
	local start=$SECONDS
	echo "+ RUSTC_BOOTSTRAP=1 $rustc ${common[*]} --crate-name=$name $* --out-dir $out"
	if ! RUSTC_BOOTSTRAP=1 "$rustc" "${common[@]}" --crate-name="$name" "$@" --out-dir "$out"; then
		echo "compile-rust-library: $name failed" >&2
		exit 1
	fi
	echo "compile-rust-library: $name ok in $((SECONDS - start))s: $(ls "$out"/lib"$name".rlib)"
}
compile core "$libdir/core/src/lib.rs"
# rustc injects `extern crate compiler_builtins` into every no_std crate but
# core; like the kernel (rust/compiler_builtins.rs), give it an empty one.
cat >"$out/compiler_builtins.rs" <<'RS'
#![feature(compiler_builtins)]
#![compiler_builtins]
#![no_builtins]
#![no_std]
RS
compile compiler_builtins "$out/compiler_builtins.rs" --extern core="$out/libcore.rlib"
compile alloc "$libdir/alloc/src/lib.rs" --extern core="$out/libcore.rlib" \
	--extern compiler_builtins="$out/libcompiler_builtins.rlib"
if [ "${KEEP:-}" = 1 ]; then
	echo "compile-rust-library: output kept in $out"
fi
