print("pgdrill")
