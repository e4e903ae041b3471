/* Matched by the glob but excluded (`exclude:`): it would not compile. */
#error fakeskip.c must be excluded
