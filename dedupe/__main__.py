from dedupe.cli import script

script()
