"""Community events: dates typed in a chat, recurrence, calendar files, QR codes and links."""
