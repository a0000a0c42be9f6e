// Dispositions de clavier pour le wolof et le français.
// Projet d'exemple fictif écrit pour la démonstration de l'AI Commons Registry.

export const dispositions = {
  wolof: [
    ["a", "à", "b", "c", "d", "e", "é", "ë", "f", "g"],
    ["i", "j", "k", "l", "m", "n", "ñ", "ŋ", "o", "ó"],
    ["p", "q", "r", "s", "t", "u", "w", "x", "y", "'"],
  ],
  francais: [
    ["a", "à", "â", "b", "c", "ç", "d", "e", "é", "è"],
    ["ê", "ë", "f", "g", "h", "i", "î", "ï", "j", "k"],
    ["l", "m", "n", "o", "ô", "œ", "p", "q", "r", "s"],
    ["t", "u", "ù", "û", "ü", "v", "w", "x", "y", "z"],
  ],
};

// L'ordre compte : « ng~ » doit être traité avant « n~ ».
const raccourcis = [
  ["ng~", "ŋ"],
  ["n~", "ñ"],
  ["e:", "ë"],
  ["a`", "à"],
  ["e'", "é"],
  ["o'", "ó"],
];

export function convertirRaccourcis(texte) {
  let resultat = texte;
  for (const [saisie, lettre] of raccourcis) {
    resultat = resultat.split(saisie).join(lettre);
  }
  return resultat;
}
