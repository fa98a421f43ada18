/**
 * The gallery's real photographs: scikit-image's sample data (sources and licences in
 * docs/gallery/real-photos/README.md). `note`: what the model shows that its warnings do not say.
 */
export const REAL_PHOTOS: readonly { name: string; source: string; caption: string; note?: string }[] = [
  { name: 'coffee', source: 'coffee.png', caption: 'A coffee cup on a saucer on a wooden table' },
  { name: 'chelsea', source: 'chelsea.png', caption: 'Chelsea the cat on a sofa' },
  { name: 'astronaut', source: 'astronaut.png', caption: "Eileen Collins' NASA portrait, a flag behind her" },
  { name: 'motorcycle', source: 'motorcycle_left.png', caption: 'A motorbike in a garage' },
  { name: 'rocket', source: 'rocket.jpg', caption: 'A Falcon 9 on its pad at dusk' },
  { name: 'camera', source: 'camera.png', caption: 'A photographer with a camera on a tripod (grey)' },
  {
    name: 'coins',
    source: 'coins.png',
    caption: 'Greek coins on a grey ground',
    note: 'Two dozen objects on a textured ground are not one object: a card.',
  },
  { name: 'horse', source: 'horse.png', caption: 'A horse silhouette (clip art)' },
  {
    name: 'retina',
    source: 'retina.jpg',
    caption: 'A fundus photograph on black',
    note: 'A flat disc seen from the front has the outline of a solid of revolution, so it becomes a ball (a known limit, and `SYMMETRY_ASSUMED` says so); the dark rim does not bleed into the texture.',
  },
  {
    name: 'hubble',
    source: 'hubble_deep_field.jpg',
    caption: "Hubble's deep field: galaxies, no object",
    note: 'A limit with no warning yet: on a plain black ground every bright galaxy is separated, and the model is a scatter of small blobs rather than one object or a card.',
  },
];
