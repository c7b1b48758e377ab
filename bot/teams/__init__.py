"""The Microsoft Teams app package (manifest and icons) that admins upload to Teams."""
