# Debian's linux-source-6.12: the build files of a real kernel tree (top
# Makefile, every Makefile, Kbuild and *.mk, scripts/, rust/, Kconfig files)
# under $RVENDOR_REALDATA/linux-6.12. Sources other than those are not unpacked.
tmp=$RVENDOR_REALDATA/tmp-linux-6.12
rm -rf "$tmp"
deb_x linux-source-6.12 "$tmp"
mkdir -p "$RVENDOR_REALDATA/linux-6.12"
tar -xJf "$tmp"/usr/src/linux-source-6.12.tar.xz -C "$RVENDOR_REALDATA/linux-6.12" --strip-components=1 \
	--wildcards --no-wildcards-match-slash \
	'linux-source-6.12/Makefile' \
	--wildcards-match-slash '*/Makefile' '*/Kbuild' '*.mk' '*/Kconfig' \
	'linux-source-6.12/scripts/*' 'linux-source-6.12/rust/*'
rm -rf "$tmp"
