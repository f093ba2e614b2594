// Ratings dashboard page
