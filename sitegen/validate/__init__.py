"""Stage 2, validate (校验): every raw record checked and turned into the typed model (`city.validate`), using the
finance, image and oversight readers below it."""
