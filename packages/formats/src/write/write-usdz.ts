import { textureExtension, type ModelMesh } from '../model-mesh.js';
import { USDZ_ALIGNMENT, writeZip } from './zip.js';
import { formatNumber } from './xml.js';

const DECIMALS = 6;

/**
 * USDZ for AR Quick Look: a USDA scene (metres, Y up, as the GLB) with one mesh and a
 * UsdPreviewSurface whose diffuse colour is the texture, packed by Apple's rules: the scene first,
 * entries stored, each file's data 64-byte aligned. USD's texture origin is the bottom-left: V is
 * written as 1 − v.
 */
export function writeUsdz(mesh: ModelMesh): Uint8Array {
  const texturePath = mesh.texture ? `textures/texture.${textureExtension(mesh.texture)}` : null;
  const scene = new TextEncoder().encode(usda(mesh, texturePath));
  return writeZip([{ name: 'model.usda', data: scene }, ...(mesh.texture && texturePath ? [{ name: texturePath, data: mesh.texture.bytes }] : [])], { alignment: USDZ_ALIGNMENT });
}

function usda({ positions, indices, uvs, normals }: ModelMesh, texturePath: string | null): string {
  const triangles = Math.floor(indices.length / 3);
  const tuple = (values: Float32Array, size: number, flipV = false): string => {
    const out: string[] = [];
    for (let i = 0; i < values.length; i += size) {
      const items: string[] = [];
      for (let k = 0; k < size; k++) items.push(formatNumber(flipV && k === 1 ? 1 - values[i + k]! : values[i + k]!, DECIMALS));
      out.push(`(${items.join(', ')})`);
    }
    return out.join(', ');
  };
  const material = '/Model/Materials/Material';
  const surface = texturePath
    ? `                color3f inputs:diffuseColor.connect = <${material}/Texture.outputs:rgb>`
    : '                color3f inputs:diffuseColor = (0.8, 0.8, 0.8)';
  const textureShaders = texturePath
    ? `
            def Shader "PrimvarReader"
            {
                uniform token info:id = "UsdPrimvarReader_float2"
                string inputs:varname = "st"
                float2 outputs:result
            }

            def Shader "Texture"
            {
                uniform token info:id = "UsdUVTexture"
                asset inputs:file = @${texturePath}@
                float2 inputs:st.connect = <${material}/PrimvarReader.outputs:result>
                token inputs:sourceColorSpace = "sRGB"
                token inputs:wrapS = "repeat"
                token inputs:wrapT = "repeat"
                float3 outputs:rgb
            }
`
    : '';
  return `#usda 1.0
(
    customLayerData = {
        string creator = "image2model"
    }
    defaultPrim = "Model"
    metersPerUnit = 1
    upAxis = "Y"
)

def Xform "Model" (
    kind = "component"
)
{
    def Mesh "Mesh" (
        prepend apiSchemas = ["MaterialBindingAPI"]
    )
    {
        int[] faceVertexCounts = [${new Array<number>(triangles).fill(3).join(', ')}]
        int[] faceVertexIndices = [${Array.from(indices.subarray(0, triangles * 3)).join(', ')}]
        rel material:binding = <${material}>
${normals ? `        normal3f[] normals = [${tuple(normals, 3)}] (\n            interpolation = "vertex"\n        )\n` : ''}        point3f[] points = [${tuple(positions, 3)}]
${uvs ? `        texCoord2f[] primvars:st = [${tuple(uvs, 2, true)}] (\n            interpolation = "vertex"\n        )\n` : ''}        uniform token orientation = "rightHanded"
        uniform token subdivisionScheme = "none"
    }

    def Scope "Materials"
    {
        def Material "Material"
        {
            token outputs:surface.connect = <${material}/Surface.outputs:surface>

            def Shader "Surface"
            {
                uniform token info:id = "UsdPreviewSurface"
${surface}
                float inputs:metallic = 0
                float inputs:roughness = 0.8
                token outputs:surface
            }
${textureShaders}        }
    }
}
`;
}
