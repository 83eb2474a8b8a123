"""Faithful paraphrases of real template captions, written by hand (issue 24).

Each template is a caption the captioner wrote for a spec drawn by the PairSampler from
configs/default.yaml or configs/examples/clevr_like.yaml (predicted facts, concise and rich
style). Each paraphrase says the same facts in other words, as a careful rewriter would:
other syntax (passive/active, clauses moved, two sentences joined or split), synonyms the
vocabulary knows ("grey", "vanished", "bigger", "anticlockwise", "glass"/"glassy"), other
openings. The fact guard must keep at least 90 % of them.
"""

PARAPHRASES: list[tuple[str, str]] = [
    # --- none ---------------------------------------------------------------------------------
    (
        "There is no difference between the two images.",
        "Nothing has changed between the two images.",
    ),
    (
        "No object, light or camera change can be seen between the two images.",
        "There is no difference between the two images: nothing has changed.",
    ),
    # --- disappear ----------------------------------------------------------------------------
    (
        "The sphere in the lower-left corner of the scene, which was visible in the first "
        "image, has vanished.",
        "The sphere that sat in the lower-left corner of the scene has disappeared.",
    ),
    (
        "The car on the left side of the scene, which was visible in the first image, has "
        "vanished.",
        "In the second image, the car on the left side of the scene is gone.",
    ),
    (
        "The cylinder in the lower-left corner of the scene has disappeared from the scene.",
        "The cylinder in the lower-left corner of the scene has vanished.",
    ),
    (
        "The red cube in the centre of the scene can no longer be seen: it has disappeared.",
        "The red cube in the centre of the scene has disappeared and is no longer visible.",
    ),
    (
        "In the second image, the metallic cylinder on the right side of the scene is gone.",
        "The metallic cylinder on the right side of the scene has vanished in the second image.",
    ),
    (
        "The cube on the left side of the scene is no longer there in the second image.",
        "The cube that was on the left side of the scene has disappeared.",
    ),
    (
        "The car in the centre of the scene is no longer there in the second image.",
        "The car in the centre of the scene has gone from the second image.",
    ),
    (
        "The medium blue plastic stool next to the table in the lower-right corner of the "
        "scene can no longer be seen: it has disappeared. The table, the white stool and the "
        "purple shelf remain unchanged between the two images.",
        "The medium blue plastic stool next to the table in the lower-right corner of the "
        "scene has vanished, while the table, the white stool and the purple shelf remain "
        "unchanged.",
    ),
    # --- add ----------------------------------------------------------------------------------
    (
        "A new object has been added: a white trash bin in the centre of the scene can now "
        "be seen.",
        "A white trash bin in the centre of the scene has been added.",
    ),
    (
        "A new object has been added: a trash bin on the right side of the scene can now be seen.",
        "A trash bin on the right side of the scene has appeared.",
    ),
    (
        "Someone has placed a white trash bin in the centre of the scene.",
        "A white trash bin has been placed in the centre of the scene.",
    ),
    (
        "In the second image there is now a potted plant in the centre of the scene, which "
        "was missing before.",
        "A potted plant in the centre of the scene has appeared; it was not there before.",
    ),
    (
        "A potted plant in the centre of the scene has appeared, although it was not there "
        "in the first image.",
        "A potted plant in the centre of the scene has been added.",
    ),
    (
        "A potted plant in the centre of the scene is new in the second image.",
        "A potted plant in the centre of the scene has appeared.",
    ),
    (
        "In the second image there is now a medium white plastic potted plant next to the "
        "person in the centre of the scene, which was missing before. Everything else, such "
        "as the table, the person and the beige shelf, looks the same in both images.",
        "A medium white plastic potted plant next to the person in the centre of the scene "
        "has appeared. The table, the person and the beige shelf remain unchanged.",
    ),
    # --- remove -------------------------------------------------------------------------------
    (
        "Someone has taken the box on the left side of the scene off the blue table.",
        "The box on the left side of the scene has been removed from the blue table.",
    ),
    (
        "The blue table no longer holds the box on the left side of the scene, which has "
        "been removed.",
        "The box on the left side of the scene has been taken away from the blue table.",
    ),
    # --- colour -------------------------------------------------------------------------------
    (
        "The plastic shelf in the centre of the scene has turned pink; in the first image it "
        "was purple.",
        "The plastic shelf in the centre of the scene was purple and is now pink.",
    ),
    (
        "The cylinder in the foreground was gray but is now cyan.",
        "The cylinder in the foreground has changed from grey to cyan.",
    ),
    (
        "The rightmost shelf has turned green; in the first image it was blue.",
        "The rightmost shelf, which used to be blue, is now green.",
    ),
    (
        'The poster that reads "BOOKS" in the upper-left corner of the scene has changed '
        "colour from pink to cyan.",
        'The colour of the poster that reads "BOOKS" in the upper-left corner of the scene '
        "has gone from pink to cyan.",
    ),
    (
        "The cube in the centre of the scene, which used to be purple, is cyan in the second "
        "image.",
        "The cube in the centre of the scene has turned from violet to cyan.",
    ),
    (
        "The cylinder in the foreground, which used to be red, is yellow in the second image.",
        "The cylinder in the foreground is no longer red: it is now yellow.",
    ),
    (
        "The cube on the right side of the scene, which used to be brown, is green in the "
        "second image.",
        "In the second image, the cube on the right side of the scene is green rather than brown.",
    ),
    (
        "The cylinder in the foreground has turned cyan; in the first image it was gray.",
        "The cylinder in the foreground was grey in the first image and is cyan in the second.",
    ),
    (
        "The car on the right side of the scene was beige but is now blue.",
        "The colour of the car on the right side of the scene has changed from beige to blue.",
    ),
    (
        "The tree closest to the camera has turned brown; in the first image it was orange.",
        "The tree closest to the camera, orange before, has turned brown.",
    ),
    (
        "The medium metallic chair next to the cyan table on the right side of the scene has "
        "changed colour from pink to teal. Nothing else is different: the cyan table, the rug "
        "and the gray cabinet are where they were and look the same.",
        "The medium metallic chair next to the cyan table on the right side of the scene was "
        "pink and is now teal. The cyan table, the rug and the grey cabinet have not changed.",
    ),
    (
        "The tree in the upper-left corner of the scene has changed colour from orange to brown.",
        "The tree in the upper-left corner of the scene used to be orange, but it is brown now.",
    ),
    (
        "The colour of the cabinet in the centre of the scene has changed from purple to gray.",
        "The cabinet in the centre of the scene has gone from purple to grey.",
    ),
    (
        "The trousers of the person in a cyan top who is standing in the foreground have "
        "changed colour from pink to black.",
        "The person in a cyan top who is standing in the foreground now wears black trousers "
        "instead of pink trousers.",
    ),
    (
        "The person in a cyan top who is standing in the foreground now wears black trousers "
        "instead of pink trousers.",
        "The person in a cyan top who is standing in the foreground has changed clothes: the "
        "trousers were pink and are now black.",
    ),
    (
        "The person in a black top who is sitting in the centre of the scene has changed "
        "clothes: the trousers were brown and are now cyan.",
        "The trousers of the person in a black top who is sitting in the centre of the scene "
        "have changed colour from brown to cyan.",
    ),
    (
        "The brown trousers of the person in a black top who is sitting in the centre of the "
        "scene have become cyan.",
        "The person in a black top who is sitting in the centre of the scene now wears cyan "
        "trousers instead of brown trousers.",
    ),
    (
        "The cylinder in the lower-left corner of the scene, which used to be cyan, is gray "
        "in the second image.",
        "The cylinder in the lower-left corner of the scene was cyan but is now grey.",
    ),
    (
        "The sphere in the centre of the scene has changed colour from green to cyan.",
        "The sphere in the centre of the scene, which was green, has turned cyan.",
    ),
    # --- material -----------------------------------------------------------------------------
    (
        "The table in the centre of the scene, which was plastic, now looks glassy.",
        "The table in the centre of the scene has changed from plastic to glass.",
    ),
    (
        "The table in the foreground has changed from plastic to glassy.",
        "The table in the foreground is now made of glass instead of plastic.",
    ),
    (
        "The material of the table in the foreground has changed from plastic to glass.",
        "The table in the foreground was plastic and now looks glassy.",
    ),
    (
        "The table in the centre of the scene has a new surface: it was plastic and is now glassy.",
        "The table in the centre of the scene, which used to be plastic, is now made of glass.",
    ),
    (
        "The table in the foreground is now made of glass instead of plastic.",
        "The material of the table in the foreground has gone from plastic to glass.",
    ),
    (
        "The medium blue table next to the white chair in the centre of the scene has a new "
        "surface: it was plastic and is now glassy. Nothing else is different: the person, "
        "the white chair and the potted plant are where they were and look the same.",
        "The medium blue table next to the white chair in the centre of the scene has changed "
        "from plastic to glass. The person, the white chair and the potted plant remain "
        "unchanged.",
    ),
    # --- size ---------------------------------------------------------------------------------
    (
        "The rug in the lower-left corner of the scene has been scaled down and appears "
        "smaller in the second image.",
        "The rug in the lower-left corner of the scene has shrunk.",
    ),
    (
        "The purple chair on the left side of the scene has been scaled up and appears larger "
        "in the second image.",
        "The purple chair on the left side of the scene has grown and now looks bigger.",
    ),
    (
        "The yellow cube in the centre of the scene has been scaled up and appears larger in "
        "the second image.",
        "In the second image, the yellow cube in the centre of the scene is bigger.",
    ),
    (
        "The stool on the left side of the scene has become larger than it was in the first image.",
        "The stool on the left side of the scene is now bigger than before.",
    ),
    (
        "The tree in the centre of the scene has shrunk, so it now looks smaller than before.",
        "The tree in the centre of the scene has become smaller.",
    ),
    (
        "The yellow rubber cube in the centre of the scene has been scaled up and appears "
        "larger in the second image. Everything else, such as the cyan rubber cube, the "
        "sphere and the cyan metallic cube, looks the same in both images.",
        "The yellow rubber cube in the centre of the scene has grown. The cyan rubber cube, "
        "the sphere and the cyan metallic cube have not changed.",
    ),
    (
        "The chair in the lower-right corner of the scene has become larger than it was in "
        "the first image.",
        "Compared with the first image, the chair in the lower-right corner of the scene is "
        "bigger now.",
    ),
    # --- orientation --------------------------------------------------------------------------
    (
        "Someone has rotated the armchair on the right side of the scene clockwise.",
        "The armchair on the right side of the scene has been turned clockwise.",
    ),
    (
        "The orientation of the armchair on the right side of the scene has changed: it has "
        "turned clockwise.",
        "The armchair on the right side of the scene has been rotated clockwise.",
    ),
    (
        "The cube in the lower-left corner of the scene has turned counterclockwise, so it "
        "now faces a different direction.",
        "The cube in the lower-left corner of the scene has been rotated anticlockwise.",
    ),
    (
        "Someone has rotated the person in a green top and purple trousers who is crouching "
        "on the right side of the scene clockwise.",
        "The person in a green top and purple trousers who is crouching on the right side of "
        "the scene has been turned clockwise.",
    ),
    (
        "The person in a gray top and white trousers who has crossed arms on the left side "
        "of the scene now faces another way after being turned counterclockwise.",
        "The person in a grey top and white trousers who has crossed arms on the left side "
        "of the scene has been rotated counter-clockwise.",
    ),
    (
        "The person in a red top and black trousers who is waving on the left side of the "
        "scene has turned counterclockwise, so the person now faces a different direction.",
        "The person in a red top and black trousers who is waving on the left side of the "
        "scene has rotated anticlockwise.",
    ),
    (
        "The small brown rubber cube in the lower-left corner of the scene has turned "
        "counterclockwise, so it now faces a different direction. The blue cylinder, the "
        "metallic cylinder and the yellow cube remain unchanged between the two images.",
        "The small brown rubber cube in the lower-left corner of the scene has been rotated "
        "counterclockwise, while the blue cylinder, the metallic cylinder and the yellow cube "
        "remain unchanged.",
    ),
    # --- move ---------------------------------------------------------------------------------
    (
        "The sphere in the centre of the scene has been moved to the left and closer to the "
        "camera and is now in the foreground.",
        "Someone has moved the sphere in the centre of the scene to the left and closer to "
        "the camera, so it is now in the foreground.",
    ),
    (
        "The position of the cube in the foreground has changed, as it has moved to the "
        "right and further back and now stands beside the yellow sphere.",
        "The cube in the foreground has moved to the right and further back; it now stands "
        "beside the yellow sphere.",
    ),
    (
        "The cube on the left side of the scene has changed its position: it has moved to "
        "the right and closer to the camera, and it is now beside the large gray sphere.",
        "The cube on the left side of the scene has been shifted to the right and closer to "
        "the camera and now sits next to the large grey sphere.",
    ),
    (
        "The position of the cube in the lower-left corner of the scene has changed, as it "
        "has moved to the right and further back and now stands beside the yellow cylinder.",
        "The cube in the lower-left corner of the scene has been moved to the right and "
        "further back, and it is now beside the yellow cylinder.",
    ),
    (
        "The sphere in the centre of the scene has changed its position: it has moved to the "
        "left and closer to the camera, and it is now in the foreground.",
        "The sphere in the centre of the scene has moved to the left and closer to the "
        "camera, ending up in the foreground.",
    ),
    (
        "The position of the cube on the left side of the scene has changed, as it has moved "
        "to the left and closer to the camera and now stands in the lower-left corner.",
        "The cube on the left side of the scene has been moved to the left and closer to the "
        "camera and can now be found in the lower-left corner.",
    ),
    (
        "The large brown metallic sphere in the centre of the scene has changed its position: "
        "it has moved to the left and closer to the camera, and it is now in the foreground. "
        "The gray sphere and the green sphere remain unchanged between the two images.",
        "The large brown metallic sphere in the centre of the scene has been shifted to the "
        "left and closer to the camera and is now in the foreground, while the grey sphere "
        "and the green sphere remain unchanged.",
    ),
    (
        "The cube in the centre of the scene is no longer in the same place, since it has "
        "been shifted to the left and closer to the camera, ending up beside the cylinder.",
        "The cube in the centre of the scene has been moved to the left and closer to the "
        "camera and is now beside the cylinder.",
    ),
    # --- illumination -------------------------------------------------------------------------
    (
        "The lighting has been turned up, so every part of the scene now looks noticeably "
        "brighter.",
        "The whole scene is brighter now because the lighting has been turned up.",
    ),
    (
        "The environment has become brighter, and the whole scene is now much more strongly "
        "lit than before.",
        "The scene has become much brighter than before.",
    ),
    (
        "The lighting has become cooler, giving the whole scene a more bluish tint than before.",
        "The light is cooler now, and the scene has taken on a bluish tint.",
    ),
    (
        "The lighting has been turned down, so every part of the scene now looks noticeably "
        "darker.",
        "Every part of the scene looks darker now, since the lighting has been turned down.",
    ),
    (
        "The scene is illuminated more weakly in the second image, making all the objects "
        "appear darker.",
        "In the second image the lighting is weaker, so all the objects look darker.",
    ),
    (
        "The overall brightness of the environment has decreased, and the scene looks "
        "gloomier than before.",
        "The environment has become darker and the scene looks gloomier.",
    ),
    (
        "The angle of the sunlight is different in the second image, which changes the "
        "shadows across the whole scene.",
        "The sun has moved, so the shadows across the scene fall at a different angle.",
    ),
    (
        "The scene is illuminated more strongly in the second image, making all the objects "
        "appear brighter. The beige building, the pink building and the yellow building "
        "remain unchanged between the two images.",
        "All the objects appear brighter because the scene is lit more strongly in the "
        "second image. The beige building, the pink building and the yellow building have "
        "not changed.",
    ),
    (
        "The lighting has become warmer, giving the whole scene a more yellowish, golden "
        "tint than before.",
        "The scene now has a warmer, more golden light.",
    ),
    # --- viewpoint ----------------------------------------------------------------------------
    (
        "The camera has moved to the left and higher up, so the whole scene is now seen "
        "from a slightly different angle.",
        "The scene is now seen from a slightly different angle because the camera has moved "
        "to the left and higher up.",
    ),
    (
        "The second picture was taken from a position further to the left, which changes the "
        "view of the entire scene.",
        "The camera has moved to the left, so the entire scene is seen from a new angle.",
    ),
    (
        "The camera angle is different: it has turned towards the right, although the "
        "objects themselves stay where they were.",
        "The camera has turned towards the right; the objects themselves have not moved.",
    ),
    (
        "The camera has moved to the left and further from the scene, so the whole scene is "
        "now seen from a slightly different angle.",
        "The viewpoint has shifted to the left and further from the scene.",
    ),
    (
        "The viewpoint has shifted to the right, and every object appears from a new perspective.",
        "Every object is seen from a new perspective because the camera has moved to the right.",
    ),
    (
        "Compared with the first image, the objects are viewed from further to the left, "
        "because the camera has been moved. Nothing else is different: the purple cylinder, "
        "the cyan cylinder and the large cube are where they were and look the same.",
        "The camera has been moved to the left, so the objects are viewed from a new angle. "
        "The purple cylinder, the cyan cylinder and the large cube remain unchanged.",
    ),
    # --- pose ---------------------------------------------------------------------------------
    (
        "The person in a purple top and orange trousers on the right side of the scene, who "
        "was crouching in the first image, has turned their head in the second image.",
        "The person in a purple top and orange trousers on the right side of the scene was "
        "crouching before and has now turned their head.",
    ),
    (
        "The person in a teal top and purple trousers on the right side of the scene, who "
        "was sitting in the first image, has crossed arms in the second image.",
        "The person in a teal top and purple trousers on the right side of the scene is no "
        "longer sitting: they have crossed their arms.",
    ),
    (
        "In the second image, the person in a purple top and orange trousers on the right "
        "side of the scene has turned their head; earlier the person was crouching.",
        "The person in a purple top and orange trousers on the right side of the scene, who "
        "was crouching earlier, has turned their head now.",
    ),
    (
        "The pose of the person in a cyan top and gray trousers on the left side of the "
        "scene is different: the person had turned their head before and has crossed arms "
        "now.",
        "The person in a cyan top and grey trousers on the left side of the scene had turned "
        "their head before; now the person has crossed arms.",
    ),
    # --- replace ------------------------------------------------------------------------------
    (
        "In the place of the chair in the foreground there is now a white fabric floor lamp.",
        "The chair in the foreground has been replaced by a white fabric floor lamp.",
    ),
    (
        "The chair in the foreground is gone, and a white fabric floor lamp stands in its place.",
        "A white fabric floor lamp has taken the place of the chair in the foreground.",
    ),
    (
        'The poster that reads "TICKETS" in the upper-left corner of the scene has been '
        "replaced by a brown metallic picture frame.",
        "A brown metallic picture frame now stands in the place of the poster that reads "
        '"TICKETS" in the upper-left corner of the scene.',
    ),
    (
        "A green metallic sign board has taken the place of the sofa on the right side of "
        "the scene.",
        "The sofa on the right side of the scene has been replaced by a green metallic sign board.",
    ),
    (
        "A brown metallic picture frame has taken the place of the poster that reads "
        '"TICKETS" in the upper-left corner of the scene.',
        'Someone has swapped the poster that reads "TICKETS" in the upper-left corner of '
        "the scene for a brown metallic picture frame.",
    ),
    # --- two and three changes ----------------------------------------------------------------
    (
        "The two images differ in three ways. First, someone has swapped the tree in the "
        "upper-right corner of the scene for a green fabric bush. Second, the tree in the "
        "upper-left corner of the scene has changed colour from red to green. Third, the "
        "scene is illuminated more weakly in the second image, making all the objects appear "
        "darker.",
        "There are three differences between the two images. First, the tree in the "
        "upper-right corner of the scene has been replaced by a green fabric bush. Second, "
        "the tree in the upper-left corner of the scene was red and is now green. Third, "
        "the scene has become darker.",
    ),
    (
        'The two images differ in two ways. To begin with, the poster that reads "PIZZA" in '
        "the upper-left corner of the scene was red but is now green. Next, the wall sign "
        'that reads "BAKERY" in the upper-right corner of the scene, which used to be '
        "green, is orange in the second image.",
        'Two things have changed. First, the poster that reads "PIZZA" in the upper-left '
        "corner of the scene has changed from red to green. Second, the wall sign that reads "
        '"BAKERY" in the upper-right corner of the scene has turned from green to orange.',
    ),
    (
        "Comparing the two images, three changes can be seen. The first change is that the "
        "position of the car on the right side of the scene has changed, as it has moved to "
        "the left and further back and now stands on the left side. The second change is "
        "that the tree in the centre of the scene has changed colour from red to yellow. The "
        "third change is that the camera angle is different: it has turned towards the "
        "right, although the objects themselves stay where they were.",
        "There are three changes. First, the car on the right side of the scene has been "
        "moved to the left and further back and now stands on the left side. Second, the "
        "tree in the centre of the scene was red and is now yellow. Third, the camera has "
        "turned towards the right.",
    ),
    (
        "The second image shows two changes compared with the first. To begin with, the "
        "cylinder in the lower-right corner of the scene has grown, so it now looks bigger "
        "than before. Next, compared with the first image, the sphere in the lower-left "
        "corner of the scene is now smaller.",
        "Two things are different. First, the cylinder in the lower-right corner of the "
        "scene has become larger. Second, the sphere in the lower-left corner of the scene "
        "has shrunk.",
    ),
    (
        "Comparing the two images, two changes can be seen. Firstly, the camera angle is "
        "different: it has turned towards the right, although the objects themselves stay "
        "where they were. Secondly, the cube in the centre of the scene has been moved to "
        "the right and further back and is now beside the blue cylinder.",
        "There are two differences: the camera has turned towards the right, and the cube "
        "in the centre of the scene has been moved to the right and further back and is now "
        "beside the blue cylinder.",
    ),
    (
        "There are two differences between the two images. First, it has become darker: the "
        "lights now shine with less intensity across the whole scene. Second, the car on "
        "the left side of the scene was brown but is now white.",
        "The two images differ in two ways. Firstly, the whole scene has become darker. "
        "Secondly, the car on the left side of the scene has changed from brown to white.",
    ),
    (
        "There are two differences between the two images. First of all, the metallic desk "
        "on the left side of the scene has changed colour from orange to purple. In "
        "addition, someone has swapped the desk in the foreground for a red fabric sofa.",
        "Two things have changed between the images. First, the metallic desk on the left "
        "side of the scene, which used to be orange, is now purple. Second, the desk in the "
        "foreground has been replaced by a red fabric sofa.",
    ),
    (
        "Two things have changed between the first and the second image. First, in the "
        "second image, the bollard in the lower-right corner of the scene is gone. Second, "
        "it has become darker: the lights now shine with less intensity across the whole "
        "scene.",
        "There are two differences between the two images. First, the bollard in the "
        "lower-right corner of the scene has disappeared. Second, the scene has become "
        "darker.",
    ),
    (
        "Comparing the two images, two changes can be seen. The first change is that the "
        "car in the centre of the scene has changed colour from white to purple. The second "
        "change is that it has become darker: the lights now shine with less intensity "
        "across the whole scene.",
        "The images differ in two ways. First, the car in the centre of the scene was white "
        "and is now purple. Second, the lighting has been turned down, so the scene is "
        "darker.",
    ),
    (
        "The second image shows two changes compared with the first. First of all, the "
        "count of gray cubes has increased from two to four. In addition, the viewpoint has "
        "shifted to the right, and every object appears from a new perspective.",
        "There are two differences between the two images. First, the number of grey cubes "
        "has gone from two to four. Second, the camera has moved to the right.",
    ),
    (
        "The two images differ in two ways. The first change is that the tree in the "
        "upper-left corner of the scene has been scaled down and appears smaller in the "
        "second image. The second change is that the environment has become darker, and the "
        "whole scene is now much more dimly lit than before.",
        "Two changes can be seen. First, the tree in the upper-left corner of the scene has "
        "shrunk. Second, the whole scene has become darker.",
    ),
    (
        "Two things have changed between the first and the second image. Firstly, the shelf "
        "on the right side of the scene has changed colour from gray to yellow. Secondly, "
        "someone has moved the orange cabinet in the centre of the scene to the left and "
        "closer to the camera; it can now be found on the left side.",
        "There are two differences between the two images. First, the shelf on the right "
        "side of the scene was grey and is now yellow. Second, the orange cabinet in the "
        "centre of the scene has been moved to the left and closer to the camera and is now "
        "on the left side.",
    ),
    (
        "The second image shows two changes compared with the first. First of all, the "
        "cylinder in the lower-right corner of the scene has been scaled up and appears "
        "larger in the second image. In addition, the sphere on the left side of the scene "
        "has shrunk, so it now looks smaller than before.",
        "The two images differ in two ways. First, the cylinder in the lower-right corner of "
        "the scene has grown bigger. Second, the sphere on the left side of the scene has "
        "become smaller.",
    ),
    (
        "The second image shows two changes compared with the first. To begin with, the "
        "number of cubes has changed from three to five. Next, it has become darker: the "
        "lights now shine with less intensity across the whole scene.",
        "There are two differences between the two images. First, there were three cubes "
        "and now there are five. Second, the scene has become darker.",
    ),
    (
        "Two things have changed between the first and the second image. The first change "
        "is that the scene is illuminated more weakly in the second image, making all the "
        "objects appear darker. The second change is that there were three cubes, and now "
        "there are five.",
        "The two images differ in two ways. First, all the objects look darker because the "
        "lighting is weaker. Second, the number of cubes has increased from three to five.",
    ),
    (
        "There are two differences between the two images. First of all, the cyan desk in "
        "the centre of the scene is no longer there in the second image. In addition, in the "
        "first image there is one yellow box on the teal desk, while in the second image "
        "there are two.",
        "The two images differ in two ways. First, the cyan desk in the centre of the scene "
        "has vanished. Second, the number of yellow boxes on the teal desk has gone from one "
        "to two.",
    ),
    (
        "The two images differ in two ways. First, two more cubes can be seen: their number "
        "has gone from three to five. Second, the environment has become darker, and the "
        "whole scene is now much more dimly lit than before.",
        "There are two differences between the two images. First, the count of cubes has "
        "increased from three to five. Second, the scene has become darker.",
    ),
    (
        "Comparing the two images, three changes can be seen. First of all, the rug on the "
        "left side of the scene has changed colour from brown to yellow. In addition, the "
        "sofa on the left side of the scene can no longer be seen: it has disappeared. "
        "Moreover, the person in a yellow top and white trousers who has crossed arms on the "
        "right side of the scene now faces another way after being turned clockwise.",
        "There are three differences between the two images. First, the rug on the left side "
        "of the scene was brown and is now yellow. Second, the sofa on the left side of the "
        "scene has vanished. Third, the person in a yellow top and white trousers who has "
        "crossed arms on the right side of the scene has been rotated clockwise.",
    ),
    (
        "The two images differ in three ways. The first change is that the shelf on the "
        "right side of the scene has turned red; in the first image it was green. The second "
        "change is that the person in a green top and white trousers on the left side of the "
        "scene, who was walking in the first image, is waving in the second image. The third "
        "change is that the sofa in the centre of the scene can no longer be seen: it has "
        "disappeared.",
        "Three things have changed. First, the shelf on the right side of the scene has "
        "changed from green to red. Second, the person in a green top and white trousers on "
        "the left side of the scene was walking before and is waving now. Third, the sofa in "
        "the centre of the scene has vanished.",
    ),
    (
        "The two images differ in three ways. First of all, the pose of the person in a "
        "white top and blue trousers in the centre of the scene is different: the person was "
        "crouching before and is sitting now. In addition, the person in an orange top and "
        "brown trousers who has turned their head on the right side of the scene has "
        "disappeared from the scene. Moreover, the second picture was taken from a position "
        "further to the left, which changes the view of the entire scene.",
        "There are three differences between the two images. First, the person in a white "
        "top and blue trousers in the centre of the scene, who was crouching, is now "
        "sitting. Second, the person in an orange top and brown trousers who has turned "
        "their head on the right side of the scene is gone. Third, the camera has moved to "
        "the left.",
    ),
    (
        "The two images differ in two ways. To begin with, in the place of the medium yellow "
        "fabric rug next to the teal cabinet in the centre of the scene there is now a purple "
        "plastic table. Next, the medium red metallic cabinet next to the white plastic wall "
        "sign in the centre of the scene is gone, and a black wooden shelf stands in its "
        "place. The black table, the pink desk and the plastic chair remain unchanged between "
        "the two images.",
        "There are two differences between the two images. First, the medium yellow fabric "
        "rug next to the teal cabinet in the centre of the scene has been replaced by a "
        "purple plastic table. Second, a black wooden shelf has taken the place of the "
        "medium red metallic cabinet next to the white plastic wall sign in the centre of "
        "the scene. The black table, the pink desk and the plastic chair have not changed.",
    ),
    (
        "Two things have changed between the first and the second image. To begin with, the "
        "colour of the medium fabric tree next to the beige bicycle on the left side of the "
        "scene has changed from orange to yellow. Next, the camera angle is different: it "
        "has turned towards the left and moved further from the scene, although the objects "
        "themselves stay where they were. The rest of the scene, including the wooden "
        "building, the metallic building and the pink building, stays exactly as it was.",
        "The two images differ in two ways. First, the medium fabric tree next to the beige "
        "bicycle on the left side of the scene was orange and is now yellow. Second, the "
        "camera has turned towards the left and moved further from the scene. The wooden "
        "building, the metallic building and the pink building remain unchanged.",
    ),
    (
        "Comparing the two images, three changes can be seen. To begin with, the tree in the "
        "upper-right corner of the scene, which used to be orange, is brown in the second "
        "image. Next, compared with the first image, the same tree is now smaller. After "
        "that, a street lamp on the left side of the scene has been added.",
        "There are three differences between the two images. First, the tree in the "
        "upper-right corner of the scene has changed from orange to brown. Second, the same "
        "tree has shrunk. Third, a street lamp on the left side of the scene has appeared.",
    ),
]

# Written after the extractor was last changed and run against it once, unchanged since: the
# figure on captions the extractor was not tuned on (benchmarks/caption.md reports both).
HELD_OUT: list[tuple[str, str]] = [
    (
        "The large sphere in the centre of the scene has turned green; in the first image it "
        "was blue.",
        "The large sphere in the centre of the scene used to be blue and is green now.",
    ),
    (
        "The camera angle is different: it has turned towards the left, although the objects "
        "themselves stay where they were.",
        "The camera has been turned towards the left, while the objects have not moved.",
    ),
    (
        "There are two differences between the two images. To begin with, the cylinder in the "
        "foreground was cyan but is now blue. Next, the sphere in the lower-left corner of the "
        "scene has disappeared from the scene.",
        "The two images differ in two ways. First, the cylinder in the foreground has changed "
        "from cyan to blue. Second, the sphere in the lower-left corner of the scene has "
        "vanished.",
    ),
    (
        "The car on the left side of the scene was purple but is now red.",
        "The car on the left side of the scene has turned red; it used to be violet.",
    ),
    (
        "The sphere in the lower-right corner of the scene has disappeared from the scene.",
        "The sphere in the lower-right corner of the scene is gone.",
    ),
    (
        "The cube in the foreground has been moved to the right and further back and is now "
        "beside the yellow sphere.",
        "Someone has moved the cube in the foreground to the right and further back, so it "
        "now stands next to the yellow sphere.",
    ),
    (
        "A cooler light now fills the scene, replacing the warmer illumination of the first image.",
        "The warmer illumination of the first image has been replaced by a cooler light.",
    ),
    (
        "The person in a green top and purple trousers who is crouching on the right side of "
        "the scene has been rotated clockwise.",
        "Someone has turned the person in a green top and purple trousers who is crouching on "
        "the right side of the scene clockwise.",
    ),
    (
        "The car on the left side of the scene, which used to be purple, is red in the second "
        "image.",
        "In the second image the car on the left side of the scene is red instead of purple.",
    ),
    (
        "Comparing the two images, two changes can be seen. First of all, the car in the "
        "centre of the scene has turned pink; in the first image it was beige. In addition, "
        "the same car now faces another way after being turned clockwise.",
        "There are two differences between the two images. First, the car in the centre of "
        "the scene has changed from beige to pink. Second, the same car has been rotated "
        "clockwise.",
    ),
    (
        "The colour of the cube in the centre of the scene has changed from cyan to yellow.",
        "The cube in the centre of the scene was cyan and has become yellow.",
    ),
    (
        "The position of the cylinder in the lower-left corner of the scene has changed, as it "
        "has moved to the right and further back and now stands beside the sphere.",
        "The cylinder in the lower-left corner of the scene has been shifted to the right and "
        "further back, ending up beside the sphere.",
    ),
    (
        "The camera angle is different: it has turned towards the left and moved higher up, "
        "although the objects themselves stay where they were.",
        "The camera has turned towards the left and moved higher up.",
    ),
    (
        "A warmer light now fills the scene, replacing the more neutral illumination of the "
        "first image.",
        "The more neutral illumination of the first image has given way to a warmer light.",
    ),
    (
        "The cylinder on the left side of the scene can no longer be seen: it has disappeared.",
        "The cylinder on the left side of the scene has vanished.",
    ),
    (
        "Two things have changed between the first and the second image. First, there was one "
        "cyan cube, and now there are two. Second, the lighting has become cooler, giving the "
        "whole scene a more bluish tint than before.",
        "There are two differences between the two images. First, the number of cyan cubes "
        "has gone from one to two. Second, the light has become cooler and the scene looks "
        "more bluish.",
    ),
    (
        "The position of the cylinder on the left side of the scene has changed, as it has "
        "moved to the right and closer to the camera and now stands beside the yellow sphere.",
        "The cylinder on the left side of the scene has moved to the right and closer to the "
        "camera and is now beside the yellow sphere.",
    ),
    (
        "In the second image, the sphere in the upper-left corner of the scene is gone.",
        "The sphere in the upper-left corner of the scene has disappeared.",
    ),
    (
        "The sphere in the centre of the scene is no longer there in the second image.",
        "The sphere in the centre of the scene can no longer be seen.",
    ),
    (
        "There are two differences between the two images. First of all, the car on the right "
        "side of the scene has become smaller than it was in the first image. In addition, the "
        "sun has moved across the sky, and the shadows of the objects point in a new "
        "direction.",
        "The two images differ in two ways. First, the car on the right side of the scene has "
        "shrunk. Second, the sun is in a different position, so the shadows point in a new "
        "direction.",
    ),
]
