"""What BI tools and analysts read: publishing the reporting database and summarising it."""
