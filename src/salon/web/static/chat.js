// Chat page
