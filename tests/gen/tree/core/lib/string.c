unsigned long fake_strlen(const char *s)
{
    unsigned long n = 0;
    while (s[n])
        n++;
    return n;
}

/* Never referenced: --gc-sections must drop it. */
unsigned long fake_unused(void)
{
    return 42;
}
