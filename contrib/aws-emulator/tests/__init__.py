"""unittest suite of the AWS emulator (run from the repo root:
python3 -m unittest discover -s contrib/aws-emulator/tests -t contrib/aws-emulator)."""
