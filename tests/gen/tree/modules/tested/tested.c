int tested_answer(void) { return 1; }
