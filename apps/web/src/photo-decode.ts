/**
 * Whether the browser decodes the whole photo. A JPEG or PNG cut off in transfer still has a good
 * header, so the server takes it and only fails it when it tries to make the model; Chromium's
 * createImageBitmap refuses such a file (an `<img>` would draw it, greyed at the bottom).
 */
export async function decodesCompletely(photo: Blob): Promise<boolean> {
  try {
    const bitmap = await createImageBitmap(photo);
    bitmap.close();
    return true;
  } catch {
    return false;
  }
}

/** What the page says about such a photo, in place of the server's reasons. */
export function damagedPhotoMessage(name: string): string {
  return `${name}: this photo is damaged or incomplete (it does not decode to the end), so no model can be made from it. Use a complete copy.`;
}
