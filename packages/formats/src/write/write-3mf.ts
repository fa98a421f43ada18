import type { WeldedMesh } from '../weld.js';
import { escapeXml, formatNumber } from './xml.js';
import { writeZip } from './zip.js';

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/></Types>
`;

const RELATIONSHIPS = `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Target="/3D/3dmodel.model" Id="rel0" Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/></Relationships>
`;

/** Positions are millimetres: a tenth of a micrometre is below any printer's resolution. */
const DECIMALS = 4;

/**
 * A 3MF package (3MF Core 1.3): one object, one build item, `unit="millimeter"`, the title (the
 * upload's name) escaped into the metadata.
 */
export function write3mf(mesh: WeldedMesh, title: string): Uint8Array {
  const encoder = new TextEncoder();
  return writeZip([
    { name: '[Content_Types].xml', data: encoder.encode(CONTENT_TYPES), deflate: true },
    { name: '_rels/.rels', data: encoder.encode(RELATIONSHIPS), deflate: true },
    { name: '3D/3dmodel.model', data: encoder.encode(modelXml(mesh, title)), deflate: true },
  ]);
}

function modelXml({ positions, indices }: WeldedMesh, title: string): string {
  const name = escapeXml(title);
  const parts: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    '<model unit="millimeter" xml:lang="en-US" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02">\n',
    `<metadata name="Title">${name}</metadata>\n`,
    '<metadata name="Application">image2model</metadata>\n',
    `<resources>\n<object id="1" type="model" name="${name}">\n<mesh>\n<vertices>\n`,
  ];
  for (let i = 0; i < positions.length; i += 3) {
    parts.push(`<vertex x="${formatNumber(positions[i]!, DECIMALS)}" y="${formatNumber(positions[i + 1]!, DECIMALS)}" z="${formatNumber(positions[i + 2]!, DECIMALS)}"/>\n`);
  }
  parts.push('</vertices>\n<triangles>\n');
  for (let t = 0; t + 2 < indices.length; t += 3) parts.push(`<triangle v1="${indices[t]}" v2="${indices[t + 1]}" v3="${indices[t + 2]}"/>\n`);
  parts.push('</triangles>\n</mesh>\n</object>\n</resources>\n<build>\n<item objectid="1"/>\n</build>\n</model>\n');
  return parts.join('');
}
