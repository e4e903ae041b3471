int str_fine(void) { return 1; }
int strx_fine_too(void) { return 2; }
int helper(void) { return 3; }
int stray_count = 4;
static int hidden(void) { return 5; }
int str_calls_hidden(void) { return hidden(); }
