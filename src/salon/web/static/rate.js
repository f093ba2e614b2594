// Rate your conversation page
