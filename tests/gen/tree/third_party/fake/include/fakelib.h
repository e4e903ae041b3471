/* A stand-in for a third-party library's header (the generator tests' fake tree). */
int fake_lib_value(void);
