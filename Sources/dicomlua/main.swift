print("dicomlua: not built yet")
