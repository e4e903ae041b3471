# A script run by anx matrix: `bash args.sh PLATFORM [MODE]`, in the caller's folder, with ANX set.
[ "$1" = fake ] || { echo "args.sh: platform '$1', expected fake"; exit 1; }
case ${2-} in ''|slow) ;; *) echo "args.sh: mode '$2', expected none or slow"; exit 1 ;; esac
[ -x "$ANX" ] || { echo "args.sh: ANX='$ANX' is not anx"; exit 1; }
echo "args.sh: $1 ${2:-default}"
