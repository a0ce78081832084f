"""The resident's language: choosing it (``/language``), and noticing another one.

``names`` has each supported language's own name and direction; ``detect`` reads
the language of a free-text answer with langdetect's profiles (scored in one
deterministic pass, so the same text always gives the same answer); ``offer`` asks,
in the detected language, whether to switch; ``choose`` is the ``/language`` menu
and the answers to both.
"""
