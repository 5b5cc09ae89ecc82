# The LICENSES/ folder and Documentation/process/license-rules.rst of
# Debian's linux-source-6.12, beside the build files 40-linux-6.12.sh
# unpacked, for the license-audit tests (kernel mode reads LICENSES/;
# scripts/spdxcheck.py, unpacked by 40, reads it too).
tmp=$RVENDOR_REALDATA/tmp-linux-6.12-licenses
rm -rf "$tmp"
deb_x linux-source-6.12 "$tmp"
mkdir -p "$RVENDOR_REALDATA/linux-6.12"
tar -xJf "$tmp"/usr/src/linux-source-6.12.tar.xz -C "$RVENDOR_REALDATA/linux-6.12" --strip-components=1 \
	--wildcards 'linux-source-6.12/LICENSES/*' 'linux-source-6.12/Documentation/process/license-rules.rst'
rm -rf "$tmp"
test -f "$RVENDOR_REALDATA/linux-6.12/LICENSES/preferred/GPL-2.0"
