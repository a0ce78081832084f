"""Safety: the quick exit, and emergency advice first when a message looks like one."""
