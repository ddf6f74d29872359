"""Files of records on S3: where they live, how they are stored, uploaded, served and cleaned up."""
