int tested_tp_value(void)
{
    return 1;
}
