"""A support mailbox: IMAP in, SMTP out."""
