int tested(void) { return 1; }
