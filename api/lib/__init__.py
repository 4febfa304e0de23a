"""Pure helpers with no I/O of their own and no app: the clock, text, codes and
passwords. Models and schemas may import these, and nothing else of the app."""
