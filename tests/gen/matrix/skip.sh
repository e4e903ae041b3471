# Skipped: exit 77 after a "skip  NAME: REASON" line (as a script needing absent material does).
echo "skip  skip.sh $1: the frobnicator is absent"
exit 77
