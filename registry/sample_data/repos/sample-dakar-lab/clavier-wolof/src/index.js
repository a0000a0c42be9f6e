// Point d'entrée de la bibliothèque d'exemple « clavier-wolof ».
import { dispositions, convertirRaccourcis } from "./layout.js";

export { dispositions, convertirRaccourcis };

export function attacherClavier(champ, { disposition = "wolof" } = {}) {
  const touches = dispositions[disposition];
  if (!touches) {
    throw new Error(`Disposition inconnue : ${disposition}`);
  }
  const panneau = champ.ownerDocument.createElement("div");
  panneau.className = "clavier-wolof";
  for (const rangee of touches) {
    const ligne = champ.ownerDocument.createElement("div");
    for (const lettre of rangee) {
      const bouton = champ.ownerDocument.createElement("button");
      bouton.type = "button";
      bouton.textContent = lettre;
      bouton.addEventListener("click", () => {
        champ.setRangeText(lettre, champ.selectionStart, champ.selectionEnd, "end");
        champ.focus();
      });
      ligne.appendChild(bouton);
    }
    panneau.appendChild(ligne);
  }
  champ.addEventListener("input", () => {
    const converti = convertirRaccourcis(champ.value);
    if (converti !== champ.value) champ.value = converti;
  });
  champ.insertAdjacentElement("afterend", panneau);
  return panneau;
}
