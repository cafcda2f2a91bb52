"""`community-bot playground`: the real bot on the loopback Discord, with a web page to act as its members."""
